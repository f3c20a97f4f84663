export interface WasmModule {
  wat: string;
  out: string;
  name: string;
}
export const MODULES: { yccSimd: WasmModule; u8Conv: WasmModule };
export function assembleWat(path: string): Promise<Uint8Array>;
export function wasmModuleSource(mod: WasmModule): Promise<string>;
