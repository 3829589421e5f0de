// The badge of a result that lost its best reference row to another document in one-to-one assignment.

export const CONTESTED_LABEL = 'lost a contested row';

export const CONTESTED_HINT =
  'Another document was given the reference row this one scored best with (one-to-one assignment: each reference row matches at most one document).';

export function ContestedBadge() {
  return (
    <span className="contested-badge" data-contested="true" title={CONTESTED_HINT}>
      {CONTESTED_LABEL}
    </span>
  );
}
