// Our adapter over kafkajs and the dead-letter envelope, shared by the coordinator and
// the participant SDK (package export "./kafka").
export * from './kafka-bus';
export * from './dead-letter';
