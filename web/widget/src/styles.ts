/**
 * The widget's whole stylesheet, inside its shadow root: the host page's CSS cannot reach in, and ours cannot
 * leak out. `:host { all: initial !important }` also cuts what the page's rules on the host element would
 * pass down by inheritance (an important declaration from inside the shadow tree beats the page's).
 * Colours come from three custom properties set from the theme: --accent, --on-accent, --ring. Empty live
 * regions are taken out of the flow rather than hidden: a region must be rendered before its content comes
 * for screen readers to announce it.
 */
export const widgetCss = `
:host{all:initial!important;display:block!important}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a;text-align:left;-webkit-font-smoothing:antialiased}
button,textarea{font:inherit;color:inherit;margin:0;letter-spacing:normal;text-transform:none}
button{cursor:pointer}
button:disabled{cursor:default;opacity:.55}
:focus{outline:none}
:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
p{margin:0}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--accent);color:var(--on-accent);box-shadow:0 4px 14px rgba(0,0,0,.28);display:flex;align-items:center;justify-content:center}
.launcher svg{width:28px;height:28px;fill:currentColor}
.launcher:focus-visible{outline-color:var(--accent);outline-offset:3px;box-shadow:0 0 0 3px #fff,0 4px 14px rgba(0,0,0,.28)}
.left .launcher{right:auto;left:20px}
.panel{position:fixed;bottom:88px;right:20px;z-index:2147483001;width:380px;max-width:calc(100vw - 40px);height:600px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;border:1px solid rgba(0,0,0,.1);border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22);overflow:hidden}
.left .panel{right:auto;left:20px}
.head{display:flex;align-items:center;gap:2px;padding:8px 6px 8px 16px;background:var(--accent);color:var(--on-accent);flex:none}
.title{flex:1;min-width:0;margin:0;font-size:16px;font-weight:600;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.icon{flex:none;width:40px;height:40px;padding:0;border:0;border-radius:8px;background:transparent;display:inline-flex;align-items:center;justify-content:center}
.icon svg{width:22px;height:22px;fill:currentColor}
.icon:hover{background:rgba(128,128,128,.25)}
.head :focus-visible{outline-color:currentColor;outline-offset:-4px}
.body{flex:1;min-height:0;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:12px;overscroll-behavior:contain}
.body>:empty{position:absolute}
.log{display:flex;flex-direction:column;gap:12px}
.msg{max-width:88%;padding:10px 12px;border-radius:12px;overflow-wrap:anywhere}
.bot{align-self:flex-start;background:#f1f3f5}
.user{align-self:flex-end;background:var(--accent);color:var(--on-accent);white-space:pre-wrap}
.text{white-space:pre-wrap}
.caption{display:block;margin-top:4px;font-size:13px;color:#555}
.abstained{background:#fff8e6;border:1px solid #b26a00}
.abstain-note{margin-bottom:6px;font-size:14px;color:#6b3d00}
.meta{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12.5px;background:#e4e7eb;color:#1a1a1a}
.badge.warn{background:#ffe0a3;color:#5c3300}
.marker{display:inline-block;min-width:22px;margin:0 1px;padding:0 5px;border:0;border-radius:6px;background:var(--accent);color:var(--on-accent);font-size:12px;font-weight:600;line-height:18px;vertical-align:1px}
.sources{margin-top:10px;padding-top:8px;border-top:1px solid #d6dadf}
.sources-title{font-size:13px;font-weight:600;color:#444;margin-bottom:4px}
.sources ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:4px}
.link{display:inline;padding:2px 0;border:0;background:none;text-align:left;text-decoration:underline;text-underline-offset:2px;font-size:14px;color:#1a1a1a}
.link::before{content:"\\25B8\\00A0";text-decoration:none;display:inline-block}
.link[aria-expanded="true"]::before{content:"\\25BE\\00A0"}
.quote{margin:6px 0 4px;padding:8px 10px;background:#fff;border-radius:8px;font-size:14px}
.quote blockquote{margin:0;padding-left:10px;border-left:3px solid var(--ring);font-style:italic;white-space:pre-wrap}
.quote p+blockquote,.quote blockquote+p{margin-top:6px}
.quote .where{margin-top:6px;font-size:13px;color:#555}
.explanation{margin-top:6px;font-size:14px;color:#444;white-space:pre-wrap}
.confirmation{margin-top:8px;padding:8px 10px;border:1px solid #b26a00;border-radius:8px;background:#fff}
.confirm-title{font-weight:600}
.request{margin:6px 0 0;padding:6px 8px;background:#f1f3f5;border-radius:6px;font-size:12.5px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:180px;overflow:auto}
.decide{display:flex;gap:8px;margin-top:8px}
.decide button{padding:6px 14px;border-radius:8px;border:1px solid var(--accent);background:#fff}
.decide .confirm{background:var(--accent);color:var(--on-accent)}
.rating{display:flex;gap:4px;margin-top:6px}
.rate{width:32px;height:32px;padding:0;border:1px solid transparent;border-radius:8px;background:transparent;color:#555;display:inline-flex;align-items:center;justify-content:center}
.rate svg{width:18px;height:18px;fill:currentColor}
.rate:hover{background:#e4e7eb}
.rate[aria-pressed="true"]{border-color:var(--ring);color:var(--ring);background:#fff}
.chips{display:flex;flex-wrap:wrap;gap:8px}
.chip{padding:6px 12px;border:1px solid var(--ring);border-radius:999px;background:#fff;font-size:14px;text-align:left}
.chip:hover{background:#f1f3f5}
.notice{margin:0 12px 8px;padding:8px 12px;border-radius:8px;background:#fdecea;color:#611a15;font-size:14px;display:flex;flex-wrap:wrap;align-items:center;gap:8px;flex:none}
.notice.info{background:#eef2f7;color:#1a1a1a}
.notice button{padding:4px 10px;border:1px solid currentColor;border-radius:6px;background:#fff}
.refusal{padding:12px;border-radius:10px;background:#fdecea;color:#611a15}
.refusal strong{display:block;margin-bottom:4px}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 12px;border-top:1px solid #e4e7eb;flex:none}
.composer textarea{flex:1;min-width:0;resize:none;max-height:140px;padding:9px 12px;border:1px solid #8a9099;border-radius:10px;background:#fff;line-height:1.4;overflow-y:auto}
.composer textarea:focus-visible{outline-offset:0}
.send{flex:none;width:42px;height:42px;padding:0;border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);display:inline-flex;align-items:center;justify-content:center}
.send svg{width:22px;height:22px;fill:currentColor}
.send[aria-disabled="true"]{opacity:.55;cursor:default}
@media (max-width:480px){
.root .panel{top:0;right:0;bottom:0;left:0;width:100%;max-width:none;height:100%;max-height:none;border:0;border-radius:0}
.open .launcher{display:none}
.msg{max-width:92%}
}
@media (prefers-reduced-motion:no-preference){.panel{animation:aw-in .16s ease-out}}
@keyframes aw-in{from{opacity:0;transform:translateY(8px)}}
`;
