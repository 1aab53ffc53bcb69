import { describe, expect, it } from 'vitest';
import { historyNames } from './history-names';

const flows = {
  welcome: {
    name: '新人欢迎',
    versions: {
      '1': {
        start: { type: 'trigger' },
        'wait-1': { type: 'wait' },
        hello: { type: 'send', label: '打招呼' },
      },
      '2': { 'wait-1': { type: 'wait', label: '等一天' } },
    },
  },
};

describe('a contact history in the operator’s words', () => {
  it('names steps by their label, else by their type and number, in each language', () => {
    const zh = historyNames(flows, 'zh');
    expect(zh.flow('welcome')).toBe('新人欢迎');
    expect(zh.step('welcome', 1, 'hello')).toBe('打招呼');
    expect(zh.step('welcome', 1, 'wait-1')).toBe('等待 1');
    expect(zh.step('welcome', 2, 'wait-1')).toBe('等一天');
    expect(zh.step('welcome', 1, 'start')).toBe('触发器');
    expect(historyNames(flows, 'en').step('welcome', 1, 'wait-1')).toBe('Wait 1');
  });

  it('falls back to another version, then to the ids, when the version or flow is not known', () => {
    const zh = historyNames(flows, 'zh');
    expect(zh.step('welcome', null, 'hello')).toBe('打招呼');
    expect(zh.step('welcome', 9, 'hello')).toBe('打招呼');
    expect(zh.step('welcome', 1, 'gone')).toBe('gone');
    expect(zh.flow('deleted')).toBe('deleted');
    expect(zh.step('deleted', 1, 'wait-1')).toBe('wait-1');
  });
});
