// The package config editor: name, document types (each with the matching config that scores it and how much it matters), pass criteria and the optional three-way rule; the backend's refusals show under the field they name.
import type { MatchingConfig } from '../bindings/MatchingConfig';
import { PRESENCES, type PackageForm, type SlotForm, type ThreeWayForm } from '../packages';
import { FieldError } from './FieldError';

interface Props {
  form: PackageForm;
  onChange: (form: PackageForm) => void;
  configs: MatchingConfig[];
  /** Field id (see `packageFieldId`) to message. */
  errors: Record<string, string>;
  saving: boolean;
  isNew: boolean;
  onSave: () => void;
  onDelete: () => void;
}

export function PackageEditor({ form, onChange, configs, errors, saving, isNew, onSave, onDelete }: Props) {
  const setSlot = (i: number, patch: Partial<SlotForm>) => onChange({ ...form, slots: form.slots.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const setRule = (patch: Partial<ThreeWayForm>) => onChange({ ...form, threeWay: { ...form.threeWay, ...patch } });
  const types = form.slots.map((s) => s.documentType.trim()).filter((t) => t !== '');
  return (
    <form
      className="card package-editor"
      id="package-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
    >
      <h3>{isNew ? 'New package' : 'Package'}</h3>
      <label htmlFor="pk-name">Name</label>
      <input id="pk-name" value={form.name} onChange={(e) => onChange({ ...form, name: e.target.value })} placeholder="Invoice + PO + delivery note" />
      <FieldError id="pk-name-error" message={errors['pk-name']} />

      <h4>Document types</h4>
      <table className="package-slots">
        <thead>
          <tr>
            <th>Type</th>
            <th>Matched by</th>
            <th>Presence</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {form.slots.map((s, i) => (
            <tr key={i} data-slot-index={i}>
              <td>
                <input id={`pk-slot-${i}-type`} aria-label="Document type" value={s.documentType} onChange={(e) => setSlot(i, { documentType: e.target.value })} />
                <FieldError id={`pk-slot-${i}-type-error`} message={errors[`pk-slot-${i}-type`]} />
              </td>
              <td>
                <select id={`pk-slot-${i}-config`} aria-label="Matching config" value={s.configId} onChange={(e) => setSlot(i, { configId: e.target.value })}>
                  <option value="">Choose a config…</option>
                  {configs.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
                <FieldError id={`pk-slot-${i}-config-error`} message={errors[`pk-slot-${i}-config`]} />
              </td>
              <td>
                <select id={`pk-slot-${i}-presence`} aria-label="Presence" value={s.presence} onChange={(e) => setSlot(i, { presence: e.target.value as SlotForm['presence'] })}>
                  {PRESENCES.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button type="button" className="link" aria-label={`Remove ${s.documentType || 'this type'}`} onClick={() => onChange({ ...form, slots: form.slots.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FieldError id="pk-document_type_configs-error" message={errors['pk-document_type_configs']} />
      <button type="button" id="pk-add-slot" onClick={() => onChange({ ...form, slots: [...form.slots, { documentType: '', configId: configs[0]?.id ?? '', presence: 'optional' }] })}>
        Add document type
      </button>

      <h4>Passes when</h4>
      <label className="check">
        <input id="pk-all_required_matched" type="checkbox" checked={form.allRequiredMatched} onChange={(e) => onChange({ ...form, allRequiredMatched: e.target.checked })} />
        every required type is matched (else the package fails)
      </label>
      <label className="check">
        <input id="pk-allow_review_on_expected" type="checkbox" checked={form.reviewOnExpected} onChange={(e) => onChange({ ...form, reviewOnExpected: e.target.checked })} />
        an expected type not matched sends it to review (else it fails)
      </label>
      <label htmlFor="pk-min_confidence">Minimum confidence of a match (0 to 1)</label>
      <input id="pk-min_confidence" inputMode="decimal" value={form.minConfidence} onChange={(e) => onChange({ ...form, minConfidence: e.target.value })} />
      <FieldError id="pk-min_confidence-error" message={errors['pk-min_confidence']} />

      <h4>Three-way match</h4>
      <label className="check">
        <input id="pk-three-way" type="checkbox" checked={form.threeWay.enabled} onChange={(e) => setRule({ enabled: e.target.checked })} />
        the invoice and the delivery note name the same order, and no more is invoiced than was delivered
      </label>
      {form.threeWay.enabled && <ThreeWayFields rule={form.threeWay} types={types} errors={errors} onChange={setRule} />}

      <div className="actions">
        <button type="submit" id="pk-save" className="primary" disabled={saving}>
          {saving ? 'Saving…' : isNew ? 'Create package' : 'Save package'}
        </button>
        {!isNew && (
          <button type="button" id="pk-delete" className="danger" disabled={saving} onClick={onDelete}>
            Delete
          </button>
        )}
      </div>
    </form>
  );
}

interface RuleProps {
  rule: ThreeWayForm;
  types: string[];
  errors: Record<string, string>;
  onChange: (patch: Partial<ThreeWayForm>) => void;
}

/** The rule's fields, in the terms ERPs configure it: which types, which fields, the tolerances in percent. */
function ThreeWayFields({ rule, types, errors, onChange }: RuleProps) {
  const typeSelect = (id: string, label: string, value: string, set: (v: string) => void) => (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)}>
        {!types.includes(value) && <option value={value}>{value || '—'}</option>}
        {types.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <FieldError id={`${id}-error`} message={errors[id]} />
    </>
  );
  const text = (id: string, label: string, value: string, set: (v: string) => void) => (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => set(e.target.value)} />
      <FieldError id={`${id}-error`} message={errors[id]} />
    </>
  );
  return (
    <fieldset className="three-way" id="pk-three-way-fields">
      {typeSelect('pk-tw-invoice_type', 'Invoice type', rule.invoiceType, (v) => onChange({ invoiceType: v }))}
      {typeSelect('pk-tw-delivery_type', 'Delivery note type', rule.deliveryType, (v) => onChange({ deliveryType: v }))}
      {text('pk-tw-invoice_amount_field', 'Invoiced amount field', rule.amountField, (v) => onChange({ amountField: v }))}
      {text('pk-tw-delivered_quantity_field', 'Delivered quantity field', rule.quantityField, (v) => onChange({ quantityField: v }))}
      {text('pk-tw-unit_price_column', "Order's unit price column", rule.priceColumn, (v) => onChange({ priceColumn: v }))}
      {text('pk-tw-quantity_tolerance_percent', 'Quantity tolerance (%)', rule.quantityTolerance, (v) => onChange({ quantityTolerance: v }))}
      {text('pk-tw-price_tolerance_percent', 'Price tolerance (%)', rule.priceTolerance, (v) => onChange({ priceTolerance: v }))}
      <label htmlFor="pk-tw-on_fail">When it fails</label>
      <select id="pk-tw-on_fail" value={rule.onFail} onChange={(e) => onChange({ onFail: e.target.value === 'failed' ? 'failed' : 'review' })}>
        <option value="review">hold the package for review</option>
        <option value="failed">fail the package</option>
      </select>
    </fieldset>
  );
}
