/** The published schema (schema/workflow.schema.json), bundled: completion, hover and the step forms read it. */
import schemaJson from '../../schema/workflow.schema.json';
import type { JsonSchema } from './schema-help.js';

export const SCHEMA = schemaJson as unknown as JsonSchema;
