package campaigns

import "net/http"

func (p *Pages) eventRoutes(mux *http.ServeMux) {}
