/**
 * One-line descriptions of the standard library's functions and constants
 * (hover and completion in the language server), written for alloy-ts from
 * the facts of Alloy's reference (grafana/alloy docs/sources/reference/stdlib/).
 * Kept beside the stdlib rather than in each function's file, so that loading
 * the stdlib for evaluation does not load them.
 */

const STDLIB_DESCRIPTIONS: Record<string, string> = {
  coalesce: 'Returns the first argument that is not null or empty.',
  json_path: 'Evaluates a JSONPath expression against a JSON string and returns the matches.',
  'sys.env': 'Returns the value of an environment variable, or "" when unset.',
  'convert.nonsensitive': 'Turns a secret into a plain string.',
  'array.concat': 'Joins several arrays into one.',
  'array.combine_maps': 'Joins two lists of objects on the given keys (experimental).',
  'array.group_by': 'Groups a list of objects by the value of a key (experimental).',
  'encoding.from_json': 'Decodes a JSON string into an Alloy value.',
  'encoding.from_yaml': 'Decodes a YAML string into an Alloy value.',
  'encoding.from_base64': 'Decodes a standard base64 string.',
  'encoding.from_URLbase64': 'Decodes a URL-safe base64 string.',
  'encoding.to_base64': 'Encodes a string as standard base64.',
  'encoding.to_URLbase64': 'Encodes a string as URL-safe base64.',
  'encoding.to_json': 'Encodes a value as a JSON string.',
  'encoding.url_encode': 'Escapes a string for use in a URL query.',
  'encoding.url_decode': 'Reverses URL query escaping of a string.',
  'string.format': 'Formats values with a printf-style format string.',
  'string.join': 'Joins a list of strings with a separator.',
  'string.replace': 'Replaces every occurrence of a substring.',
  'string.split': 'Splits a string at every separator.',
  'string.to_lower': 'Returns the string in lower case.',
  'string.to_upper': 'Returns the string in upper case.',
  'string.trim': 'Removes the given characters from both ends.',
  'string.trim_prefix': 'Removes a prefix if present.',
  'string.trim_suffix': 'Removes a suffix if present.',
  'string.trim_space': 'Removes leading and trailing white space.',
  'file.path_join': 'Joins path elements with the OS separator.',
  'constants.hostname': 'Host name of the machine running Alloy.',
  'constants.os': 'Operating system Alloy runs on.',
  'constants.arch': 'CPU architecture Alloy runs on.',
  'constants.version': 'Version of the running agent.',
};

export function stdlibDescription(fullName: string): string | undefined {
  return STDLIB_DESCRIPTIONS[fullName];
}
