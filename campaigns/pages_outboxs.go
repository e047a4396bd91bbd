package campaigns

import "net/http"

func (p *Pages) outboxRoutes(mux *http.ServeMux) {}
