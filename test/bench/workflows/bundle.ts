// The benchmark worker's bundle: the product's workflows plus the hand-written baseline, which the
// product bundle does not carry.

export * from '@sopflow/workflows/workflows';
export { benchBaseline } from './bench-baseline';
