// The wire protocol as the coordinator and the participant SDK share it (package export
// "./protocol"): message types, JSON values, identifiers, topic names, and validation
// against the JSON Schemas in ./schemas. Pure: no Kafka, database or framework import.
export * from './json';
export * from './protocol';
export * from './identifiers';
export * from './topic-names';
export * from './protocol-validation';
export * from './storable-json';
export * from './wire-headers';
