// A dependency-free SVG bar chart of req/s, with each bar's ratio to the
// bare hop (paired per round, as the table reports it).
export interface Bar {
  label: string
  rps: number
  ratio: number
}

export function barChart(title: string, bars: Bar[]): string {
  const width = 760
  const row = 34
  const left = 300
  const height = 60 + bars.length * row
  const max = Math.max(...bars.map((b) => b.rps), 1)
  const scale = (width - left - 90) / max
  const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  const rows = bars.map((bar, i) => {
    const y = 45 + i * row
    const w = Math.max(1, bar.rps * scale)
    const ratio = bar.ratio.toFixed(2)
    return `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(bar.label)}</text>
<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="24" fill="#2e5bda"/>
<text x="${left + w + 6}" y="${y + 17}">${Math.round(bar.rps)} (${ratio}×)</text>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>
${rows.join('\n')}
</svg>
`
}
