/**
 * The Python builtin errors the distributed executor raises that the rest of the runtime does not: Redis out of
 * reach (`ConnectionError`, an OSError in Python) and a module a worker cannot load (`ModuleNotFoundError`).
 */
import { PyException } from '../python/errors';

export class ConnectionError extends PyException {}
ConnectionError.prototype.name = 'ConnectionError';

export class ModuleNotFoundError extends PyException {}
ModuleNotFoundError.prototype.name = 'ModuleNotFoundError';
