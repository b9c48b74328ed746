/** One repetition of bench:futures' data rows in a process of its own, started by data.ts with kernel.json's environment. */
import { oursOnceMain } from './data';

oursOnceMain().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
