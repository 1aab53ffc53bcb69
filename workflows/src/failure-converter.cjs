// Temporal's failure converter with `encodeCommonAttributes`: a failure's message and stack trace
// go into a payload, so the payload codec encrypts them like every other payload (an error may
// quote a contact's name or phone). CommonJS on purpose: the worker `require`s it by path outside
// the workflow sandbox, where no TypeScript loader is, and the workflow bundle includes it.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
