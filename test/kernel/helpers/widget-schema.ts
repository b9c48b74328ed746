/**
 * Validation of widget comm messages against ipywidgets' schema files (fixtures/ipywidgets-schema): the message
 * shapes of messages.md, the display data of v2/view.schema.json, and each model's state as the model
 * specification (jupyterwidgetmodels.latest.json) gives its keys, types, enums and fixed model/view names.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import * as path from 'node:path';

const DIR = path.join(__dirname, '..', 'fixtures', 'ipywidgets-schema');

interface Attribute {
  name: string;
  type: string;
  default: unknown;
  allow_none?: boolean;
  enum?: unknown[];
  items?: { type: string };
}
interface ModelSpec {
  model: { name: string; module: string; version: string };
  attributes: Attribute[];
}

const specs: ModelSpec[] = require(path.join(DIR, 'jupyterwidgetmodels.latest.json'));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(require(path.join(DIR, 'messages.schema.json')));
const view = ajv.compile(require(path.join(DIR, 'view.schema.json')));

const REFERENCE = { type: 'string', pattern: '^IPY_MODEL_[0-9a-f]{32}$' };

function attributeSchema(a: Attribute): object {
  const base: Record<string, object> = {
    string: { type: 'string' },
    bool: { type: 'boolean' },
    int: { type: 'integer' },
    float: { type: 'number' },
    object: { type: 'object' },
    reference: REFERENCE,
    array: { type: 'array', items: a.items?.type === 'reference' ? REFERENCE : a.items?.type === 'string' ? { type: 'string' } : {} },
  };
  let schema: Record<string, unknown> = { ...(base[a.type] ?? {}) };
  // The model and view names are fixed: a state must carry exactly the specification's.
  if (a.name.startsWith('_model_') || a.name.startsWith('_view_')) schema = { const: a.default };
  else if (a.enum) schema.enum = a.allow_none ? [...a.enum, null] : a.enum;
  return a.allow_none ? { anyOf: [schema, { type: 'null' }] } : schema;
}

const stateValidators = new Map<string, { full: ValidateFunction; partial: ValidateFunction }>();
for (const spec of specs) {
  const properties = Object.fromEntries(spec.attributes.map((a) => [a.name, attributeSchema(a)]));
  const full = ajv.compile({ type: 'object', properties, required: spec.attributes.map((a) => a.name), additionalProperties: false });
  const partial = ajv.compile({ type: 'object', properties, additionalProperties: false });
  stateValidators.set(spec.model.name, { full, partial });
}

export const MODEL_NAMES: readonly string[] = specs.map((s) => s.model.name);

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) throw new Error(`${what} does not match the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
}

/** The data of a comm message of `kind` (open, update, custom, update_states, ...). */
export function checkMessage(kind: string, data: unknown): void {
  check(ajv.getSchema(`tsfutures/widget-messages#/definitions/${kind}`)!, data, `a '${kind}' message`);
}

export function checkOpenMetadata(metadata: unknown): void {
  checkMessage('open_metadata', metadata);
}

/** A model's state: `full` (comm_open, request_state) needs every key of the specification. */
export function checkState(modelName: string, state: unknown, full: boolean): void {
  const v = stateValidators.get(modelName);
  if (!v) throw new Error(`no specification for model ${modelName}`);
  check(full ? v.full : v.partial, state, `${full ? 'the full' : 'a partial'} state of ${modelName}`);
}

/** application/vnd.jupyter.widget-view+json data. */
export function checkView(data: unknown): void {
  check(view, data, 'the widget view data');
}
