import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isInputObjectType,
  isListType,
  Kind,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { CostModel } from './cost-model.js';

/** Selections looked at before a walk gives up (the operation then counts as too costly). */
export const maxSelections = 100_000;
/** Selection sets nested deeper than this are not walked (too costly). */
export const maxNesting = 200;

/** The walk met more than it may look at: the operation is treated as infinitely costly. */
export class TooComplexError extends Error {
  constructor() {
    super('operation too complex to measure');
    this.name = 'TooComplexError';
  }
}

/**
 * What a cost walk shares with the executor: the operation's fragments and coerced variables, and
 * the same rules for which fields run (`@skip`/`@include`, type conditions, merging by response
 * name). Records every variable it reads, so that a cost can be cached for the values of just those.
 */
export class SelectionWalk {
  readonly variablesRead = new Set<string>();
  #selections = 0;
  readonly #fieldOwnCost = new Map<FieldNode, Map<string, number>>();
  readonly #arguments = new Map<FieldNode, Record<string, unknown>>();
  readonly #collected = new Map<string, Map<string, FieldNode[]>>();
  readonly #setIds = new Map<SelectionSetNode, number>();

  constructor(
    readonly model: CostModel,
    readonly schema: GraphQLSchema,
    readonly fragments: Readonly<Record<string, FragmentDefinitionNode | undefined>>,
    readonly variables: Readonly<Record<string, unknown>>,
  ) {}

  /** A variable's coerced value, recorded as read. */
  variable(name: string): unknown {
    this.variablesRead.add(name);
    return Object.prototype.hasOwnProperty.call(this.variables, name) ? this.variables[name] : undefined;
  }

  /** Whether a variable was given a value (or has a default in the operation), recorded as read. */
  provided(name: string): boolean {
    this.variablesRead.add(name);
    return Object.prototype.hasOwnProperty.call(this.variables, name);
  }

  /** A short key for a list of selection sets, for memoising by identity. */
  setsKey(sets: readonly SelectionSetNode[]): string {
    return sets
      .map((set) => {
        let id = this.#setIds.get(set);
        if (id === undefined) {
          id = this.#setIds.size;
          this.#setIds.set(set, id);
        }
        return id;
      })
      .join(',');
  }

  /**
   * The fields that run on an object of `type` for these selection sets, by response name, as
   * graphql-js collects them: skipped selections left out, fragments whose type condition does not
   * match left out, each fragment spread at most once per selection set.
   */
  collectFields(type: GraphQLObjectType, sets: readonly SelectionSetNode[]): Map<string, FieldNode[]> {
    const key = `${type.name}|${this.setsKey(sets)}`;
    const known = this.#collected.get(key);
    if (known) return known;
    const fields = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    const visit = (set: SelectionSetNode, nesting: number): void => {
      if (nesting > maxNesting) throw new TooComplexError();
      for (const selection of set.selections) {
        if (++this.#selections > maxSelections) throw new TooComplexError();
        if (!this.#included(selection.directives)) continue;
        if (selection.kind === Kind.FIELD) {
          const name = selection.alias?.value ?? selection.name.value;
          const list = fields.get(name);
          if (list) list.push(selection);
          else fields.set(name, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (selection.typeCondition === undefined || this.#matches(type, selection.typeCondition.name.value)) {
            visit(selection.selectionSet, nesting + 1);
          }
        } else {
          const name = selection.name.value;
          if (visited.has(name)) continue;
          visited.add(name);
          const fragment = this.fragments[name];
          if (fragment === undefined || !this.#matches(type, fragment.typeCondition.name.value)) continue;
          visit(fragment.selectionSet, nesting + 1);
        }
      }
    };
    for (const set of sets) visit(set, 0);
    this.#collected.set(key, fields);
    return fields;
  }

  /** Coerced argument values of a field (or directive) usage, as its resolver receives them. */
  argumentValues(
    definition: GraphQLField<unknown, unknown> | { readonly args: readonly GraphQLArgument[] },
    node: FieldNode | DirectiveNode,
  ): Record<string, unknown> {
    try {
      return getArgumentValues(definition as GraphQLField<unknown, unknown>, node, this.variables);
    } catch {
      return {}; // execution refuses the same field; nothing runs, nothing to count
    }
  }

  /**
   * A field's own cost for one call: its weight, plus its arguments' and its directives'
   * (arguments as the resolver receives them, every input object counted, list items one by one),
   * never below zero.
   */
  fieldOwnCost(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[]): number {
    const node = nodes[0] as FieldNode;
    let byType = this.#fieldOwnCost.get(node);
    const known = byType?.get(parent.name);
    if (known !== undefined) return known;
    const { model } = this;
    const args = this.fieldArguments(field, node);
    const owner = `${parent.name}.${field.name}`;
    let cost = model.fieldWeight(parent.name, field);
    for (const argument of field.args) cost += this.#argumentCost(model.argumentWeight(owner, argument), argument, node, args);
    for (const usage of nodes) {
      for (const directive of usage.directives ?? []) {
        const definition = this.schema.getDirective(directive.name.value);
        if (definition === null || definition === undefined || directive.name.value === 'skip' || directive.name.value === 'include')
          continue;
        const values = this.argumentValues(definition, directive);
        for (const argument of definition.args) {
          cost += this.#argumentCost(model.argumentWeight(`@${definition.name}`, argument), argument, directive, values);
        }
      }
    }
    const own = Math.max(0, cost);
    if (byType === undefined) {
      byType = new Map();
      this.#fieldOwnCost.set(node, byType);
    }
    byType.set(parent.name, own);
    return own;
  }

  /** A field usage's coerced arguments (the first of merged usages: validation makes them equal). */
  fieldArguments(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    let values = this.#arguments.get(node);
    if (values === undefined) {
      values = this.argumentValues(field, node);
      this.#arguments.set(node, values);
    }
    return values;
  }

  /**
   * The cost of an input value at a position of weight `weight`: nothing for an absent or null
   * value; the weight once per value (each item of a list); for an input object, plus its fields'.
   */
  inputCost(weight: number, type: GraphQLInputType, value: unknown): number {
    if (value === undefined || value === null) return 0;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const items = Array.isArray(value) ? value : [value];
      let sum = 0;
      for (const item of items) sum += this.inputCost(weight, nullable.ofType, item);
      return sum;
    }
    if (isInputObjectType(nullable) && typeof value === 'object') {
      let sum = weight;
      for (const field of Object.values(nullable.getFields())) {
        sum += this.inputCost(
          this.model.inputFieldWeight(nullable.name, field),
          field.type,
          (value as Record<string, unknown>)[field.name],
        );
      }
      return sum;
    }
    return weight;
  }

  /**
   * An argument's cost. Its variables count as read only when the value can change the cost: a
   * weighted argument, or one that holds input objects (a cursor never does).
   */
  #argumentCost(weight: number, argument: GraphQLArgument, node: FieldNode | DirectiveNode, values: Record<string, unknown>): number {
    if (weight === 0 && !isInputObjectType(getNamedType(argument.type))) return 0;
    this.readVariablesOf(node, argument.name);
    return this.inputCost(weight, argument.type, values[argument.name]);
  }

  /** Records the variables an argument of a usage refers to as read. */
  readVariablesOf(node: FieldNode | DirectiveNode, argumentName: string): void {
    const argument = node.arguments?.find((candidate) => candidate.name.value === argumentName);
    if (argument) this.#readVariablesIn(argument.value);
  }

  #included(directives: readonly DirectiveNode[] | undefined): boolean {
    if (directives === undefined) return true;
    for (const directive of directives) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
      const value = condition === undefined ? undefined : this.#booleanOf(condition);
      if (name === 'skip' && value === true) return false;
      if (name === 'include' && value === false) return false;
    }
    return true;
  }

  #booleanOf(value: ValueNode): unknown {
    if (value.kind === Kind.BOOLEAN) return value.value;
    if (value.kind === Kind.VARIABLE) return this.variable(value.name.value);
    return undefined;
  }

  #matches(type: GraphQLObjectType, condition: string): boolean {
    if (condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }

  #readVariablesIn(value: ValueNode): void {
    if (value.kind === Kind.VARIABLE) this.variablesRead.add(value.name.value);
    else if (value.kind === Kind.LIST) for (const item of value.values) this.#readVariablesIn(item);
    else if (value.kind === Kind.OBJECT) for (const field of value.fields) this.#readVariablesIn(field.value);
  }
}
