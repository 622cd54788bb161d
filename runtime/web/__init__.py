"""What every HTTP request passes before it reaches a route, outermost first: `guard`
(Host, Origin, security headers), `auth` (the password, checked by `passwords`) and
`limits` (body and upload sizes). The app that stacks them is runtime/server."""
