// The message shown under a form field that the backend (or the form) rejected.
interface Props {
  id: string;
  message: string | undefined;
}

export function FieldError({ id, message }: Props) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  );
}

/** The DOM id of the input for a validation field path: "field_mappings[1].weight" → "cfg-field_mappings-1-weight". */
export function fieldInputId(path: string): string {
  return `cfg-${path.replace(/\[(\d+)\]\.?/g, '-$1-').replace(/\./g, '-').replace(/-$/, '')}`;
}
