// Stands in for 'protobufjs' in every CampusG bundle (HOUSE_BUNDLING aliases the package here). It is an optional
// peer of Powertools' Kafka consumer, loaded only for Avro/Protobuf schemas; CampusG values are JSON, so it
// is deliberately not bundled. Loading it means a consumer started using such a schema: fail loudly.
throw new Error(
  "'protobufjs' is not bundled into CampusG functions (its values are JSON). To decode Protobuf records, add 'protobufjs' to the project's dependencies and remove its alias from HOUSE_BUNDLING in infra/constructs/campusg-function.ts.",
);
