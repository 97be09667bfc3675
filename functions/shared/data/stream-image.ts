/**
 * Reads the item images of a stream record without trusting their encoding to be perfect. Whatever a user
 * could store must come back out: a stream record that cannot be read fails forever and, before the
 * dead-letter settings, held back the records after it (issue 14: metadata `{"b":{}}` was accepted with a
 * 201, then its record failed with "No value defined: {}" on every retry).
 *
 * Two ways a strict `unmarshall` fails on a record that holds nothing wrong:
 * - An empty map (`{"M":{}}`) arrives as a bare `{}` with no type. DynamoDB Local 3.x does this in its
 *   stream images (awslabs/amazon-dynamodb-local-samples#37; GetItem and the DynamoDB service are correct),
 *   and a stored `{}` is easy to reach: `{"b":{}}`, or `{"__proto__":{...}}`, which validation drops to `{}`.
 *   A value without a type can only be an empty container: it reads as `{}`.
 * - A number beyond 2^53 reads as a BigInt, which JSON.stringify refuses when the event is posted. What we
 *   store came from JSON (a double), so Number() gives back exactly what was sent.
 */
import type { AttributeValue as StreamAttributeValue } from 'aws-lambda';

export type Item = Record<string, unknown>;

function readValue(value: StreamAttributeValue | undefined): unknown {
  if (value === undefined || value === null) return undefined;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return readMap(value.M);
  if (value.L !== undefined) return value.L.map(readValue);
  if (value.SS !== undefined) return new Set(value.SS);
  if (value.NS !== undefined) return new Set(value.NS.map(Number));
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return new Set(value.BS);
  // No known type: DynamoDB Local's empty map (see above). Nothing we store has any other shape.
  return {};
}

function readMap(map: Record<string, StreamAttributeValue>): Item {
  // A null-prototype object: a key such as "__proto__" is data, never the object's prototype.
  const item: Item = Object.create(null);
  for (const [key, value] of Object.entries(map)) item[key] = readValue(value);
  return { ...item };
}

/** The plain item of a stream image (`NewImage`, `OldImage`, `Keys`), or undefined when there is none. */
export function readImage(image: Record<string, StreamAttributeValue> | undefined): Item | undefined {
  return image ? readMap(image) : undefined;
}
