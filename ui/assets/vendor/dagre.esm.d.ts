// Types for the checker only: the agent serves dagre's own ESM bundle at this path
// (src/runtime/http/ui.ts), straight from node_modules/@dagrejs/dagre.
export * from '@dagrejs/dagre';
export { default } from '@dagrejs/dagre';
