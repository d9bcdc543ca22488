import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InputInfo } from '../core/index.ts';
import type { IngestCounters } from './ingest.ts';

/** Prometheus metrics of one Vigil instance (its own registry, so tests can run several). */
export class VigilMetrics implements IngestCounters {
  readonly registry = new Registry();
  private readonly receivedTotal = new Counter({ name: 'vigil_events_received_total', help: 'Records received, by input', labelNames: ['input'], registers: [this.registry] });
  private readonly acceptedTotal = new Counter({ name: 'vigil_events_accepted_total', help: 'Records accepted and stored, by input', labelNames: ['input'], registers: [this.registry] });
  private readonly rejectedTotal = new Counter({ name: 'vigil_events_rejected_total', help: 'Records rejected to the dead-letter store, by input', labelNames: ['input'], registers: [this.registry] });
  readonly writeSeconds = new Histogram({
    name: 'vigil_store_write_seconds',
    help: 'Time from handing a batch to the writer until it is committed',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly alertsTotal = new Counter({ name: 'vigil_alerts_raised_total', help: 'Alerts raised by detection, by source (sigma, correlation)', labelNames: ['source'], registers: [this.registry] });
  readonly overloadedTotal = new Counter({ name: 'vigil_ingest_overloaded_total', help: 'Ingest requests answered 503 because the write queue was full', labelNames: ['input'], registers: [this.registry] });

  constructor(queueDepth: () => number, extraGauges: Record<string, { help: string; read: () => number }> = {}) {
    new Gauge({ name: 'vigil_ingest_queue_depth', help: 'Records accepted but not yet committed', registers: [this.registry], collect() { this.set(queueDepth()); } });
    for (const [name, gauge] of Object.entries(extraGauges)) {
      new Gauge({ name, help: gauge.help, registers: [this.registry], collect() { this.set(gauge.read()); } });
    }
    collectDefaultMetrics({ register: this.registry, prefix: 'vigil_process_' });
  }

  /** A gauge read at scrape time (e.g. a stage's backlog). */
  addGauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }

  received(input: InputInfo, n: number): void {
    this.receivedTotal.inc({ input: input.name }, n);
  }
  accepted(input: InputInfo, n: number): void {
    this.acceptedTotal.inc({ input: input.name }, n);
  }
  rejected(input: InputInfo, n: number): void {
    this.rejectedTotal.inc({ input: input.name }, n);
  }
}
