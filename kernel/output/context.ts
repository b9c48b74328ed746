import type { Header } from '../transport/wire';

/** What output needs to know about the request whose work is running. */
export interface CellContext {
  parent: Header;
  identities: Uint8Array[];
  allowStdin: boolean;
}
