import { DataType, Type, type Field } from 'apache-arrow';

/** How a column can take part in clustering, decided once per Arrow type. */
export type ColumnKind = 'numeric' | 'boolean' | 'other';

export function columnKind(type: DataType): ColumnKind {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)) return 'numeric';
  if (DataType.isBool(type)) return 'boolean';
  return 'other';
}

/** A readable name of an Arrow type, with advice where the type is a common mistake. */
export function describeNonNumeric(field: Field): string {
  const type = field.type;
  if (DataType.isDate(type) || DataType.isTimestamp(type)) {
    return `column '${field.name}' is a date (${String(type)}), not a number; convert it first (for example to days since a reference date)`;
  }
  if (DataType.isDictionary(type)) {
    return `column '${field.name}' is categorical (${String(type)}), not numeric; encode it as numbers first or leave it out of --features`;
  }
  if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8) {
    return `column '${field.name}' is text, not numeric; leave it out of --features`;
  }
  if (
    DataType.isList(type) ||
    DataType.isStruct(type) ||
    DataType.isMap(type) ||
    DataType.isFixedSizeList(type)
  ) {
    return `column '${field.name}' is nested (${String(type)}); only flat numeric columns can be features`;
  }
  return `column '${field.name}' has type ${String(type)}, not numeric; leave it out of --features`;
}
