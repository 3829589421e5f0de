// The columns of both tables as a strategy profiled them: role (type), null rate, distinct values and a few samples.
import type { ColumnSummary } from '../bindings/ColumnSummary';
import type { TableSide } from '../bindings/TableSide';
import { formatCount, formatPercent } from '../format';
import { roleLabel } from '../strategyForm';

const SIDE_LABEL: Record<TableSide, string> = { documents: 'Documents', reference: 'Reference data' };

export function ColumnProfiles({ columns }: { columns: ColumnSummary[] }) {
  if (columns.length === 0) return <p className="muted">No column was profiled.</p>;
  const sides: TableSide[] = ['documents', 'reference'];
  return (
    <div id="strategy-columns" className="column-profiles">
      {sides.map((side) => {
        const of = columns.filter((c) => c.side === side);
        if (of.length === 0) return null;
        return (
          <div key={side} className="table-wrap">
            <table className="table dense" aria-label={`${SIDE_LABEL[side]}: columns as profiled`}>
              <caption>{SIDE_LABEL[side]}</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Empty
                  </th>
                  <th scope="col" className="num">
                    Distinct
                  </th>
                  <th scope="col">Sample values</th>
                </tr>
              </thead>
              <tbody>
                {of.map((c) => (
                  <tr key={c.name} data-column={`${side}:${c.name}`}>
                    <th scope="row" className="mono">
                      {c.name}
                    </th>
                    <td data-col="role">{roleLabel(c.role)}</td>
                    <td className="num" data-col="null-rate">
                      {formatPercent(c.null_rate)}
                    </td>
                    <td className="num">{formatCount(c.distinct)}</td>
                    <td className="samples small">
                      {c.samples.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        c.samples.map((v, i) => (
                          <span key={i} className="sample-value mono">
                            {v}
                          </span>
                        ))
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
}
