export interface LayerRules {
  ignoredFolders: string[];
  entryFolders: string[];
  mayImport: Record<string, string[]>;
}

export interface FileImport {
  from: string;
  to: string;
}

export interface LayerCycle {
  /** The folders around the cycle, the first repeated at the end. */
  units: string[];
  edges: FileImport[];
}

export interface LayerViolation {
  from: string;
  to: string;
  rule: string;
  edges: FileImport[];
}

export interface LayerReport {
  folders: string[];
  cycles: LayerCycle[];
  violations: LayerViolation[];
  unresolved: { from: string; specifier: string }[];
}

export const LAYER_RULES: LayerRules;
export function checkLayers(srcDir: string, rules?: LayerRules): LayerReport;
export function formatReport(result: LayerReport): string[];
