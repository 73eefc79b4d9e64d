import { stringify } from 'yaml';

/** The on-disk form of the OpenAPI document; the test compares it with the served JSON. */
export function toOpenApiYaml(document: object): string {
  return stringify(JSON.parse(JSON.stringify(document)), {
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}
