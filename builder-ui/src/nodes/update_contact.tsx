import { UserPen } from 'lucide-react';
import { defineNodeModule } from './module';

export const updateContact = defineNodeModule('update_contact', {
  icon: UserPen,
  color: '#5b9a0b',
  summary(node, { t }) {
    const u = node.update;
    const parts = [
      ...(u.addTags ?? []).map((tag) => `+#${tag}`),
      ...(u.removeTags ?? []).map((tag) => `−#${tag}`),
      u.points ? `${u.points.add >= 0 ? '+' : ''}${u.points.add} ${t.points}` : undefined,
      u.checkIn ? t.checkIn : undefined,
      ...Object.keys(u.set ?? {}).map((k) => `${k}=`),
    ].filter(Boolean);
    return parts.join(' ');
  },
});
