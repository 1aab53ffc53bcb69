import { memoryStorage } from '../shared/memory-storage';
import { recordsMassSendStore } from './mass-send-store';
import { contract } from './mass-send-store-contract';

contract('recordsMassSendStore on memory records', () => recordsMassSendStore(memoryStorage().records));
