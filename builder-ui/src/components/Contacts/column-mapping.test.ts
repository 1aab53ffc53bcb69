import { describe, expect, it } from 'vitest';
import { chosenMapping, columnsOf, previewCsv, suggestedMapping } from './column-mapping';

const KINDS = [{ name: 'phone', label: { en: 'Phone number', zh: '手机号' } }];

describe('mapping the columns of a CSV before its import', () => {
  it('reads the header and the first rows, leaving out a line the read cut', () => {
    const start = '\uFEFF姓名,手机号,城市\n王芳,+8613800000001,杭州\n"李, 雷",+8613800000002,上\n';
    expect(previewCsv(start, true)).toEqual({
      headers: ['姓名', '手机号', '城市'],
      rows: [
        ['王芳', '+8613800000001', '杭州'],
        ['李, 雷', '+8613800000002', '上'],
      ],
    });
    expect(previewCsv(`${start}张三,+86138`, false).rows).toHaveLength(2);
    expect(previewCsv('id\n1\n2\n3\n4\n5\n6\n7', true).rows).toHaveLength(5);
  });

  it('suggests what the server would do, with no id when no column names one', () => {
    expect(suggestedMapping(['姓名', '手机号', '城市'], KINDS)).toEqual({
      id: undefined,
      fills: { 姓名: 'name', 手机号: 'addresses.phone', 城市: 'attributes.城市' },
    });
    expect(suggestedMapping(['编号', 'name'], KINDS)).toEqual({
      id: '编号',
      fills: { 编号: 'skip', name: 'name' },
    });
  });

  it('keeps the operator’s choices over a suggestion made again', () => {
    const suggested = suggestedMapping(['姓名', '手机号'], KINDS);
    expect(chosenMapping(suggested, {})).toEqual(suggested);
    expect(chosenMapping(suggested, { id: '手机号', fills: { 姓名: 'skip' } })).toEqual({
      id: '手机号',
      fills: { 姓名: 'skip', 手机号: 'addresses.phone' },
    });
    expect(chosenMapping({ id: '编号', fills: {} }, { id: undefined }).id).toBeUndefined();
  });

  it('sends every column, the id column filling what it fills as well', () => {
    const mapping = { id: '手机号', fills: { 姓名: 'name', 手机号: 'addresses.phone', 备注: 'skip' } };
    expect(columnsOf(mapping, ['姓名', '手机号', '备注'])).toEqual({
      姓名: 'name',
      手机号: ['id', 'addresses.phone'],
      备注: 'skip',
    });
    expect(columnsOf({ id: '编号', fills: { 编号: 'skip' } }, ['编号'])).toEqual({ 编号: 'id' });
  });
});
