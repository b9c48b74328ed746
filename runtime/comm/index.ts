/** Comms: kernel <-> frontend channels (Jupyter "Custom messages"), what widgets are built on. */
export { comms, CommManager, type TargetCallback } from './manager';
export { Comm, type CommMessage, type CommData, type CommCallback } from './comm';
