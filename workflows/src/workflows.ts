// The module the worker bundles into the sandbox: every function exported here is a workflow type.

export { campaign } from './campaign';
export { contactFlow } from './contact-flow';
export { wecomReconcile } from './wecom-reconcile';
