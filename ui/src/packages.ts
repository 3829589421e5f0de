// Packages in the UI's terms: the editor's form and the package config it makes (with the optional three-way rule), the input of a bundle, and the words for verdicts and slot statuses.
import type { DocumentTypeConfig } from './bindings/DocumentTypeConfig';
import type { InputRow } from './bindings/InputRow';
import type { PackageConfig } from './bindings/PackageConfig';
import type { PackageConfigInput } from './bindings/PackageConfigInput';
import type { PackageRunInput } from './bindings/PackageRunInput';
import type { PackageVerdict } from './bindings/PackageVerdict';
import type { Presence } from './bindings/Presence';
import type { SlotStatus } from './bindings/SlotStatus';
import type { ThreeWayRule } from './bindings/ThreeWayRule';

export interface SlotForm {
  documentType: string;
  configId: string;
  presence: Presence;
}

export interface ThreeWayForm {
  enabled: boolean;
  invoiceType: string;
  deliveryType: string;
  amountField: string;
  quantityField: string;
  priceColumn: string;
  quantityTolerance: string;
  priceTolerance: string;
  onFail: 'review' | 'failed';
}

export interface PackageForm {
  name: string;
  slots: SlotForm[];
  allRequiredMatched: boolean;
  minConfidence: string;
  reviewOnExpected: boolean;
  threeWay: ThreeWayForm;
}

export const PRESENCES: Presence[] = ['required', 'expected', 'optional'];

export const VERDICTS: PackageVerdict[] = ['passed', 'review', 'failed', 'error'];

const NO_THREE_WAY: ThreeWayForm = {
  enabled: false,
  invoiceType: 'invoice',
  deliveryType: 'delivery_note',
  amountField: 'total_amount',
  quantityField: 'delivered_quantity',
  priceColumn: 'unit_price',
  quantityTolerance: '0',
  priceTolerance: '0',
  onFail: 'review',
};

/** A new package: an invoice required and a delivery note expected, the spec's default criteria. */
export function emptyPackageForm(firstConfig = ''): PackageForm {
  return {
    name: '',
    slots: [
      { documentType: 'invoice', configId: firstConfig, presence: 'required' },
      { documentType: 'delivery_note', configId: firstConfig, presence: 'expected' },
    ],
    allRequiredMatched: true,
    minConfidence: '0.8',
    reviewOnExpected: true,
    threeWay: NO_THREE_WAY,
  };
}

/** The form of a stored package config. */
export function formOfPackage(p: PackageConfig): PackageForm {
  const rule = p.rules.find((r) => r.kind === 'three_way');
  return {
    name: p.name,
    slots: p.document_type_configs.map((s) => ({ documentType: s.document_type, configId: s.matching_config_id, presence: s.presence })),
    allRequiredMatched: p.pass_criteria.all_required_matched,
    minConfidence: String(p.pass_criteria.min_confidence),
    reviewOnExpected: p.pass_criteria.allow_review_on_expected,
    threeWay: rule
      ? {
          enabled: true,
          invoiceType: rule.invoice_type,
          deliveryType: rule.delivery_type,
          amountField: rule.invoice_amount_field,
          quantityField: rule.delivered_quantity_field,
          priceColumn: rule.unit_price_column,
          quantityTolerance: String(rule.quantity_tolerance_percent),
          priceTolerance: String(rule.price_tolerance_percent),
          onFail: rule.on_fail === 'failed' ? 'failed' : 'review',
        }
      : NO_THREE_WAY,
  };
}

/** A number typed in a field; NaN stays NaN so the backend names the field. */
function number(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.replace(',', '.'));
}

/** The package config the form describes (checked by the backend, which names what is wrong). */
export function packageInputOf(f: PackageForm): PackageConfigInput {
  const slots: DocumentTypeConfig[] = f.slots.map((s) => ({
    document_type: s.documentType.trim(),
    matching_config_id: s.configId,
    presence: s.presence,
  }));
  const t = f.threeWay;
  const rule: ThreeWayRule = {
    invoice_type: t.invoiceType,
    delivery_type: t.deliveryType,
    invoice_amount_field: t.amountField.trim(),
    delivered_quantity_field: t.quantityField.trim(),
    unit_price_column: t.priceColumn.trim(),
    quantity_tolerance_percent: number(t.quantityTolerance),
    price_tolerance_percent: number(t.priceTolerance),
    on_fail: t.onFail,
  };
  return {
    name: f.name.trim(),
    document_type_configs: slots,
    pass_criteria: {
      all_required_matched: f.allRequiredMatched,
      min_confidence: number(f.minConfidence),
      allow_review_on_expected: f.reviewOnExpected,
    },
    rules: t.enabled ? [{ kind: 'three_way', ...rule }] : [],
  };
}

/** A bundle's input: the documents chosen per type; types without any are left out (judged by their presence). */
export function bundleInputOf(packageId: string, documents: Record<string, InputRow[]>): PackageRunInput {
  const input_documents: Record<string, InputRow[]> = {};
  for (const [type, rows] of Object.entries(documents)) {
    if (rows.length > 0) input_documents[type] = rows;
  }
  return { package_config_id: packageId, input_documents };
}

/** A stored document row as a bundle's input document: every column a value. */
export function inputRowOf(id: string, columns: string[], values: string[]): InputRow {
  const row: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    row[c] = values[i] ?? '';
  });
  return { document_id: id, values: row };
}

export const VERDICT_LABEL: Record<PackageVerdict, string> = {
  passed: 'Passed',
  failed: 'Failed',
  review: 'Review',
  error: 'Error',
  running: 'Running',
};

export const SLOT_LABEL: Record<SlotStatus, string> = {
  matched: 'Matched',
  review: 'Review',
  unmatched: 'Unmatched',
  missing: 'Missing',
  skipped: 'Skipped',
  error: 'Error',
};

/** The form's DOM id for a field the backend named: "document_type_configs[1].matching_config_id" → "pk-slot-1-config". */
export function packageFieldId(field: string): string {
  const slot = /^document_type_configs\[(\d+)\]\.(\w+)$/.exec(field);
  if (slot) {
    const part = slot[2] === 'matching_config_id' ? 'config' : slot[2] === 'document_type' ? 'type' : 'presence';
    return `pk-slot-${slot[1]}-${part}`;
  }
  const rule = /^rules\[\d+\]\.(\w+)$/.exec(field);
  if (rule) return `pk-tw-${rule[1]}`;
  if (field.startsWith('pass_criteria.')) return `pk-${field.slice('pass_criteria.'.length)}`;
  return `pk-${field}`;
}
