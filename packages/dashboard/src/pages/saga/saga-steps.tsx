// The saga's steps in definition order: where each stands, what it received and returned.
import type { SagaDetail } from '../../api/types';
import { Json, Status, Time } from '../../components/common';

export function SagaSteps({ saga, now }: { saga: SagaDetail; now: number }) {
  return (
    <table class="grid steps">
      <thead>
        <tr>
          <th>Stage</th>
          <th>Step</th>
          <th>Participant</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>Input</th>
          <th>Output</th>
          <th>Last error / override</th>
        </tr>
      </thead>
      <tbody>
        {saga.steps.map((s) => (
          <tr key={s.name} data-step={s.name}>
            <td class="num">{s.stage + 1}</td>
            <td>
              <code>{s.name}</code>
              {s.phase !== 'compensatable' && <span class={`badge phase-${s.phase}`}>{s.phase}</span>}
              <div class="muted small">
                {s.command}
                {s.compensation ? ` ↩ ${s.compensation}` : ''}
              </div>
            </td>
            <td>{s.participant}</td>
            <td>
              <Status value={s.status} />
              {s.mayHaveApplied && (
                <div class="small warn" title="an attempt timed out: the participant may have applied it">
                  may have applied
                </div>
              )}
              {s.dueAt && (
                <div class="small muted">
                  due <Time at={s.dueAt} now={now} compact />
                </div>
              )}
            </td>
            <td class="num">
              {s.attempt}
              {s.compensationAttempt > 0 && <span class="muted"> · ↩ {s.compensationAttempt}</span>}
            </td>
            <td>
              <Json value={s.input} />
            </td>
            <td>
              <Json value={s.output} />
            </td>
            <td class="detail">
              {s.lastError && (
                <div class="error-text">
                  {s.lastError.action} #{s.lastError.attempt}: {s.lastError.code ? `${s.lastError.code}: ` : ''}
                  {s.lastError.message}
                </div>
              )}
              {s.override && (
                <div>
                  overridden as <strong>{s.override.as}</strong> by {s.override.by}: <q>{s.override.reason}</q>
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
