import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isIntrospectionType,
  isListType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ASTNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** How an operation measures, with every fragment spread expanded where it is spread. */
export interface OperationShape {
  /** The deepest chain of fields (a root field is depth 1; `__typename` adds none). */
  readonly depth: number;
  /** Aliased fields, `__typename` included, counted once per place they are reached. */
  readonly aliases: number;
  /** Fields selected at the root (after expanding root-level fragments). */
  readonly rootFields: number;
  /** Directive usages, counted once per place they are reached. */
  readonly directives: number;
  /** Estimated cost: one per field, a list's subtree multiplied by its size (see {@link ShapeOptions}). */
  readonly cost: number;
  /**
   * Inside introspection (`__schema`, `__type`), the most lists of schema elements nested in one
   * another: the standard introspection query's `types { fields { args … } } }` is 3, and every
   * further list (`fields { type { fields …`, the cycle back through `__Type`) multiplies the
   * answer by the size of the schema. Introspection adds 1 to depth and cost, whatever its shape:
   * its answer is bounded by the server's own schema, unless lists nest.
   */
  readonly introspectionDepth: number;
}

/** How {@link measureOperation} estimates list sizes. */
export interface ShapeOptions {
  /** Arguments that bound a list's size, e.g. `first`. */
  readonly listSizeArguments: readonly string[];
  /** The size assumed for a list without such an argument, or whose argument is a variable. */
  readonly defaultListSize: number;
  /** Leave `__schema` and `__type` fields (not fragments named so) out of every measure. */
  readonly ignoreIntrospection: boolean;
}

/** Counts beyond this stop the walk: the operation is refused long before anyway. */
const ceiling = 1e9;
/** Selection sets nested deeper than this are not walked. */
const maxNesting = 500;

type Measure = { depth: number; aliases: number; directives: number; cost: number; introspectionDepth: number };

const nothing: Measure = Object.freeze({ depth: 0, aliases: 0, directives: 0, cost: 0, introspectionDepth: 0 });

/**
 * Measures an operation for the operation-limit rules. Fragments are measured once each
 * (memoised by name) and multiplied where spread, so a fragment spread a thousand times costs a
 * thousand times but is walked once; a fragment cycle measures as nothing more on re-entry (the
 * standard NoFragmentCycles rule refuses the document anyway) instead of recursing forever.
 * Results are cached per operation node.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  options: ShapeOptions,
): OperationShape {
  let byOptions = cache.get(operation);
  if (byOptions === undefined) {
    byOptions = new WeakMap();
    cache.set(operation, byOptions);
  }
  const cached = byOptions.get(options);
  if (cached) return cached;
  const fragmentMeasures = new Map<string, Measure>();
  const inProgress = new Set<string>();
  const sizeArguments = new Set(options.listSizeArguments);

  let nesting = 0;
  const measureSelections = (
    parent: GraphQLCompositeType | undefined,
    selectionSet: SelectionSetNode,
    size: number | undefined,
  ): Measure => {
    // Nesting beyond any sane operation (deeply nested inline fragments) measures as too much,
    // instead of exhausting the stack.
    if (nesting > maxNesting) return { depth: ceiling, aliases: 0, directives: 0, cost: ceiling, introspectionDepth: ceiling };
    nesting++;
    try {
      return measureEach(parent, selectionSet, size);
    } finally {
      nesting--;
    }
  };

  const measureEach = (parent: GraphQLCompositeType | undefined, selectionSet: SelectionSetNode, size: number | undefined): Measure => {
    const total: Measure = { ...nothing };
    for (const selection of selectionSet.selections) {
      let part: Measure;
      if (selection.kind === Kind.FIELD) {
        part = measureField(parent, selection, size);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        part = measureSelections(isCompositeType(narrowed) ? narrowed : undefined, selection.selectionSet, size);
      } else {
        part = measureSpread(selection.name.value, size);
      }
      total.depth = Math.max(total.depth, part.depth);
      total.aliases = Math.min(ceiling, total.aliases + part.aliases);
      total.directives = Math.min(ceiling, total.directives + part.directives + (selection.directives?.length ?? 0));
      total.cost = Math.min(ceiling, total.cost + part.cost);
      total.introspectionDepth = Math.max(total.introspectionDepth, part.introspectionDepth);
    }
    return total;
  };

  const measureSpread = (name: string, size: number | undefined): Measure => {
    // Memoised per fragment (the size passed down only matters for a connection's edges).
    const key = `${name}|${size ?? ''}`;
    const known = fragmentMeasures.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined || inProgress.has(name)) return nothing;
    inProgress.add(name);
    const type = schema.getType(fragment.typeCondition.name.value);
    const measured = measureSelections(isCompositeType(type) ? type : undefined, fragment.selectionSet, size);
    inProgress.delete(name);
    fragmentMeasures.set(key, measured);
    return measured;
  };

  const measureField = (parent: GraphQLCompositeType | undefined, node: FieldNode, size: number | undefined): Measure => {
    const name = node.name.value;
    const aliases = node.alias ? 1 : 0;
    if (name === '__typename') return { ...nothing, aliases };
    const introspectionRoot = name === '__schema' || name === '__type';
    if (introspectionRoot && options.ignoreIntrospection) return { ...nothing, aliases };
    const field = introspectionRoot ? metaField(name) : fieldOf(parent, name);
    const sizeArgument = node.arguments?.find((argument) => sizeArguments.has(argument.name.value));
    const ownSize = sizeArgument ? listSize(sizeArgument.value, options.defaultListSize) : undefined;
    const isList = field !== undefined && isListType(getNullableType(field.type));
    // A list multiplies its subtree by its size: its own argument, a size handed down by a
    // connection field (`products(first: 100) { edges … }`), or the default.
    const multiplier = isList ? (ownSize ?? size ?? options.defaultListSize) : 1;
    const passDown = !isList && ownSize !== undefined ? ownSize : undefined;
    const named = field ? getNamedType(field.type) : undefined;
    const children = node.selectionSet
      ? measureSelections(isCompositeType(named) ? named : undefined, node.selectionSet, passDown)
      : nothing;
    const counted = {
      aliases: Math.min(ceiling, aliases + children.aliases * multiplier),
      directives: Math.min(ceiling, children.directives * multiplier),
    };
    if (introspectionRoot || (parent !== undefined && isIntrospectionType(parent))) {
      // Introspection answers from the schema, not from data: bounded by the schema's size unless
      // its lists nest, which introspectionDepth measures instead of depth and cost.
      const ownList = isList && isCompositeType(named) ? 1 : 0;
      return {
        ...counted,
        depth: introspectionRoot ? 1 : 0,
        cost: introspectionRoot ? 1 : 0,
        introspectionDepth: Math.min(ceiling, ownList + children.introspectionDepth),
      };
    }
    return {
      ...counted,
      depth: 1 + children.depth,
      cost: Math.min(ceiling, 1 + children.cost * multiplier),
      introspectionDepth: children.introspectionDepth,
    };
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  const measured = measureSelections(root, operation.selectionSet, undefined);
  const shape: OperationShape = {
    depth: measured.depth,
    aliases: measured.aliases,
    directives: measured.directives + (operation.directives?.length ?? 0),
    cost: measured.cost,
    introspectionDepth: measured.introspectionDepth,
    rootFields: countRootFields(operation.selectionSet, fragments),
  };
  byOptions.set(options, shape);
  return shape;
}

const cache = new WeakMap<ASTNode, WeakMap<ShapeOptions, OperationShape>>();

/** `__schema` and `__type`, which no type's `getFields()` lists. */
function metaField(name: '__schema' | '__type'): GraphQLField<unknown, unknown> {
  return name === '__schema' ? SchemaMetaFieldDef : TypeMetaFieldDef;
}

function fieldOf(parent: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return parent && 'getFields' in parent ? parent.getFields()[name] : undefined;
}

function listSize(value: ValueNode, fallback: number): number {
  if (value.kind === Kind.INT) {
    const parsed = Number(value.value);
    return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : fallback;
  }
  return fallback;
}

/**
 * Root fields of an operation, fragments included: each fragment counted once (memoised by name)
 * and added wherever it is spread, so a chain of fragments each spreading the next twice is walked
 * once instead of 2^n times; a cycle counts as nothing more on re-entry.
 */
function countRootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  const counted = new Map<string, number>();
  const inProgress = new Set<string>();
  const count = (set: SelectionSetNode, nesting: number): number => {
    if (nesting > maxNesting) return ceiling;
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += selection.name.value === '__typename' ? 0 : 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet, nesting + 1);
      else total += countSpread(selection.name.value, nesting);
      if (total >= ceiling) return ceiling;
    }
    return total;
  };
  const countSpread = (name: string, nesting: number): number => {
    const known = counted.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (fragment === undefined || inProgress.has(name)) return 0;
    inProgress.add(name);
    const fields = count(fragment.selectionSet, nesting + 1);
    inProgress.delete(name);
    counted.set(name, fields);
    return fields;
  };
  return count(selectionSet, 0);
}
