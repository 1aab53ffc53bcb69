// The module the worker bundles into the sandbox: every function exported here is a workflow type.

export { campaign } from './campaign';
export { connectorJob } from './connector-job';
export { contactFlow } from './contact-flow';
export { retentionPurge } from './retention-purge';
