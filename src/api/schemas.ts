import { Type } from 'typebox';

export const ErrorSchema = Type.Object({
  error: Type.Object(
    { code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
});

export const PageSchema = Type.Object({
  items: Type.Array(Type.Any()),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
