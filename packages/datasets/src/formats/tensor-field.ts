import * as arrow from "apache-arrow";

/** Arrow's canonical extension name for fixed-shape tensors (Arrow columnar format, canonical extensions). */
export const TENSOR_EXTENSION = "arrow.fixed_shape_tensor";
const NAME_KEY = "ARROW:extension:name";
const METADATA_KEY = "ARROW:extension:metadata";

/** The element types a tensor column may hold, by NumPy-style name. */
export const TENSOR_DTYPES = {
  uint8: () => new arrow.Uint8(),
  int8: () => new arrow.Int8(),
  uint16: () => new arrow.Uint16(),
  int16: () => new arrow.Int16(),
  uint32: () => new arrow.Uint32(),
  int32: () => new arrow.Int32(),
  uint64: () => new arrow.Uint64(),
  int64: () => new arrow.Int64(),
  float32: () => new arrow.Float32(),
  float64: () => new arrow.Float64(),
} as const;

export type TensorDtype = keyof typeof TENSOR_DTYPES;

/**
 * A column of fixed-shape tensors as Arrow's canonical extension `arrow.fixed_shape_tensor`: the
 * storage is FixedSizeList<dtype>[product(shape)] (row-major), and the field metadata carries
 * `ARROW:extension:name` and `ARROW:extension:metadata` `{"shape":[...]}`, so any Arrow reader
 * that knows the extension sees a tensor, and one that does not still sees the list.
 */
export function tensorField(name: string, dtype: TensorDtype, shape: readonly number[]): arrow.Field {
  const size = shape.reduce((a, b) => a * b, 1);
  const storage = new arrow.FixedSizeList(size, new arrow.Field("item", TENSOR_DTYPES[dtype](), false));
  const metadata = new Map([
    [NAME_KEY, TENSOR_EXTENSION],
    [METADATA_KEY, JSON.stringify({ shape })],
  ]);
  return new arrow.Field(name, storage, false, metadata);
}

/** The shape and dtype of a tensor column, or undefined for any other field. */
export function tensorInfo(field: arrow.Field): { shape: number[]; dtype: TensorDtype } | undefined {
  if (field.metadata.get(NAME_KEY) !== TENSOR_EXTENSION) return undefined;
  if (!arrow.DataType.isFixedSizeList(field.type)) return undefined;
  const meta = JSON.parse(field.metadata.get(METADATA_KEY) ?? "{}") as { shape?: number[] };
  const dtype = dtypeOf(field.type.children[0]!.type);
  if (meta.shape === undefined || dtype === undefined) return undefined;
  return { shape: meta.shape, dtype };
}

/** The NumPy-style name of a numeric Arrow type, or undefined when it is not one of TENSOR_DTYPES. */
export function dtypeOf(type: arrow.DataType): TensorDtype | undefined {
  if (arrow.DataType.isInt(type)) return `${type.isSigned ? "int" : "uint"}${type.bitWidth}` as TensorDtype;
  if (arrow.DataType.isFloat(type)) {
    if (type.precision === arrow.Precision.SINGLE) return "float32";
    if (type.precision === arrow.Precision.DOUBLE) return "float64";
  }
  return undefined;
}

/** Shape as people write it: `28×28`. */
export function shapeText(shape: readonly number[]): string {
  return shape.join("×");
}

/** A record batch over one Data per schema field. */
export function batchOf(schema: arrow.Schema, length: number, children: arrow.Data[]): arrow.RecordBatch {
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}

/** Data of a tensor column from its row-major values (`length × product(shape)` of them). */
export function tensorData(
  field: arrow.Field,
  length: number,
  values: ArrayLike<number> | BigInt64Array | BigUint64Array,
): arrow.Data {
  const type = field.type as arrow.FixedSizeList;
  const childType = type.children[0]!.type;
  const child = arrow.makeData({ type: childType, length: values.length, nullCount: 0, data: values } as never);
  return arrow.makeData({ type, length, nullCount: 0, child });
}
