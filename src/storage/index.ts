/**
 * The storage layer: the DuckDB warehouse file, its connections, and the system catalog.
 */
export { Warehouse, type WarehouseOptions } from './warehouse.ts';
export { StorageConnection, type DuckColumn, type DuckResult } from './duck.ts';
export { Catalog, CatalogChange } from './catalog/catalog.ts';
export * from './catalog/model.ts';
export * from './versioned/index.ts';
export * from './stages/stage-files.ts';
