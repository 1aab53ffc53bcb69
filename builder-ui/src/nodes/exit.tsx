import { Flag } from 'lucide-react';
import { defineNodeModule } from './module';

export const exit = defineNodeModule('exit', { icon: Flag, color: '#52606d' });
