/** Inventory: the assets Vigil's events are about, and the business services they make up. */
export interface Asset {
  name: string;
  /** host, server, workstation, firewall, router, database, account, application, ... */
  kind: string;
  /** 1 (low) to 5 (crown jewel). */
  criticality: number;
  tags: string[];
  /** Services this asset belongs to (names). */
  services: string[];
  /** Other names events or tools use for it (hostnames, FQDNs, IPs, repository names). */
  aliases: string[];
  description?: string;
  owner?: string;
  created_at: string;
  updated_at: string;
}

export interface Service {
  name: string;
  /** Business criticality: 1 (most critical) to 4. */
  tier: number;
  /** Services this one needs (names); an outage there is felt here. */
  depends_on: string[];
  aliases: string[];
  description?: string;
  owner?: string;
  team?: string;
  created_at: string;
  updated_at: string;
}

export type AssetInput = Omit<Asset, 'created_at' | 'updated_at' | 'tags' | 'services' | 'aliases'> & Partial<Pick<Asset, 'tags' | 'services' | 'aliases'>>;
export type ServiceInput = Omit<Service, 'created_at' | 'updated_at' | 'depends_on' | 'aliases'> & Partial<Pick<Service, 'depends_on' | 'aliases'>>;
