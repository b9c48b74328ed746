/** piscina's worker file (its task function is the module's export): the same tiny task our pools run. */
import { tiny } from './tasks';

export = tiny;
