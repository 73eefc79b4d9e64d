import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but when present it is validated; unlike class-validator's
 * IsOptional, `null` is not taken for "absent" (`{"maintenance": null}` is a 422, not a no-op).
 */
export const Omittable = (): PropertyDecorator =>
  ValidateIf((_object, value) => value !== undefined);
