package campaigns

import "net/http"

func (p *Pages) reportRoutes(mux *http.ServeMux) {}
