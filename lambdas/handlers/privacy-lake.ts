/**
 * The privacy worker's lake erasure (bundled beside the handler as privacy-lake.mjs). Its Parquet reader and writer
 * are a quarter of the worker's code, and only an erasure of someone in the lake needs them: they load on first use.
 */
export { eraseFromLake } from '../usecases/erase-lake.ts';
