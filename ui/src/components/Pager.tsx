// Previous/next paging controls with "first–last of total" text, for 1-based pages.
import { formatCount } from '../format';

interface Props {
  page: number;
  limit: number;
  total: number;
  onPage: (page: number) => void;
  label: string;
  disabled?: boolean;
}

export function Pager({ page, limit, total, onPage, label, disabled = false }: Props) {
  const pageCount = Math.max(1, Math.ceil(total / limit));
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={() => onPage(page - 1)} disabled={disabled || page <= 1}>
        ‹ Previous
      </button>
      <span className="pager-text" aria-live="polite">
        {formatCount(first)}–{formatCount(last)} of {formatCount(total)} · page {page} of {pageCount}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={disabled || page >= pageCount}>
        Next ›
      </button>
    </nav>
  );
}
