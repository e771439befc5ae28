/**
 * The model file's format version (model/model.ts reads and writes it), alone in a module so that
 * the public API exports it without loading the model code (issue 15).
 */
export const MODEL_VERSION = 1;
