import { memoryMassSendStore } from './mass-send-store';
import { contract } from './mass-send-store-contract';

contract('memoryMassSendStore', memoryMassSendStore);
