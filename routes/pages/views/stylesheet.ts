// The pages' one stylesheet, served from the gateway's own origin (the CSP
// allows no inline style). Colours are chosen for WCAG AA: text at least
// 4.5:1 against its background, input borders and focus rings at least 3:1.

export const STYLESHEET = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:#f6f8fa;color:#1b1f24}
a{color:#0b57d0;text-underline-offset:.15em}
a:hover{color:#0842a0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.site{display:flex;justify-content:center;padding:clamp(1.25rem,6vh,3rem) 1rem 1rem}
.brand{display:inline-flex;align-items:center;gap:.6rem;font-size:1.125rem;font-weight:650;color:#1b1f24;text-decoration:none;overflow-wrap:anywhere}
.brand::before{content:"";flex:none;width:1.75rem;height:1.75rem;border-radius:.5rem;background:linear-gradient(135deg,#0b57d0,#5b8def)}
.brand:hover{color:#1b1f24;text-decoration:underline}
main{width:calc(100% - 2rem);max-width:25rem;margin:0 auto 3rem;padding:2rem;background:#fff;border:1px solid #d8dee4;border-radius:12px;box-shadow:0 1px 2px #1b1f2414}
main.wide{max-width:42rem}
main.wide .field{max-width:24rem}
main.wide .primary{display:inline-block;width:auto;min-width:12rem}
section>.hint{margin-bottom:1rem}
section>form{margin:0 0 1rem}
@media (max-width:30rem){main{width:calc(100% - 1.5rem);padding:1.5rem 1.25rem}}
h1{margin:0 0 1.25rem;font-size:1.5rem;line-height:1.25}
h2{margin:0 0 .75rem;font-size:1.125rem;line-height:1.3}
section{margin-top:2rem;padding-top:1.5rem;border-top:1px solid #d8dee4}
p{margin:0 0 1rem}
.field{margin:0 0 1.125rem}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{color:#57606a;font-size:.875rem;margin:0 0 .375rem}
input[type=email],input[type=password],input[type=text]{display:block;width:100%;padding:.625rem .75rem;font:inherit;color:inherit;background:#fff;border:1px solid #6e7781;border-radius:6px}
input[type=email]:focus-visible,input[type=password]:focus-visible,input[type=text]:focus-visible{outline-offset:0;border-color:#0b57d0}
.check{display:grid;grid-template-columns:auto 1fr;column-gap:.625rem;align-items:center;margin:0 0 1.5rem}
.check input{width:1.125rem;height:1.125rem;margin:0;accent-color:#0b57d0}
.check label{font-weight:600}
.check .hint{grid-column:2;margin:0}
button{font:inherit;font-weight:600;border-radius:6px;cursor:pointer;padding:.625rem 1rem;border:1px solid transparent}
.primary{display:block;width:100%;background:#0b57d0;color:#fff}
.primary:hover{background:#0842a0}
.secondary{background:#fff;color:#1b1f24;border-color:#6e7781}
.secondary:hover{background:#f6f8fa}
.danger{color:#b3261e;border-color:#b3261e}
.danger:hover{background:#fdeceb}
.alert{padding:.75rem 1rem;border-radius:6px;margin:0 0 1.25rem;border:1px solid}
.error{color:#8c1d18;background:#fdeceb;border-color:#f3b8b3}
.notice{color:#1e6b3a;background:#e6f4ea;border-color:#a7d7b5}
.switch{margin:1.5rem 0 0;text-align:center}
.profile{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.5rem;margin:0}
.profile dt{font-weight:600;color:#57606a}
.profile dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){.profile{grid-template-columns:1fr;gap:0}.profile dd+dt{margin-top:.5rem}}
.sessions{list-style:none;margin:0 0 1rem;padding:0;border:1px solid #d8dee4;border-radius:8px}
.session{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.75rem 1rem;padding:.875rem 1rem}
.session+.session{border-top:1px solid #d8dee4}
.session .device{margin:0;font-weight:600}
.session .meta{margin:0;color:#57606a;font-size:.875rem}
.session .meta span{white-space:nowrap}
.session form{margin:0}
.badge{display:inline-block;margin-left:.5rem;padding:0 .5rem;border-radius:999px;background:#e6f4ea;color:#1e6b3a;font-size:.8125rem;font-weight:600;vertical-align:.1em}
.links{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1.5rem;margin-top:2rem;padding-top:1.5rem;border-top:1px solid #d8dee4}
.links form{margin:0 0 0 auto}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
pre{overflow-x:auto;background:#f6f8fa;border:1px solid #d8dee4;border-radius:6px;padding:.75rem 1rem;font-size:.875rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
`
