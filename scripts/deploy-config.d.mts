export const TEMPLATE: string;
export const DEFAULT_SETTINGS: string;
export class SettingsError extends Error {}
export interface DeploySettings {
  listen: string;
  serverName: string;
  root: string;
  allowedOrigins: string[];
  dicomwebArchive: string | undefined;
  dicomwebPath: string;
  tls: { certificate: string; key: string } | undefined;
}
export interface SecurityHeaders {
  ISOLATION_HEADERS: Record<string, string>;
  contentSecurityPolicy(extraOrigin?: string, dev?: boolean): string;
}
export function parseSettings(text: string, source?: string): DeploySettings;
export function originPattern(origin: string): string;
export function renderConfig(settings: DeploySettings, template: string, headers: SecurityHeaders): string;
export function loadSecurityHeaders(): Promise<SecurityHeaders>;
