import { memoryStorage } from '../shared/memory-storage';
import { memoryMassSendStore, recordsMassSendStore } from './mass-send-store';
import { contract } from './mass-send-store-contract';

contract('memoryMassSendStore', memoryMassSendStore);
contract('recordsMassSendStore on memory records', () => recordsMassSendStore(memoryStorage().records));
