/**
 * The Python builtin error the distributed executor raises that the rest of the runtime does not: Redis out of
 * reach (`ConnectionError`, an OSError in Python).
 */
import { PyException, pythonName } from '../python/errors';

export class ConnectionError extends PyException {}
pythonName(ConnectionError, 'ConnectionError');
