/** An error parsing or executing a Go template, with Go's message text. */
export class TemplateError extends Error {}
